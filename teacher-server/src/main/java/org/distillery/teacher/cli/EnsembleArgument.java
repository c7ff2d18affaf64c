package org.distillery.teacher.cli;

import org.distillery.proto.v1.CombineMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code --ensemble NAME=M1,M2,…[,combine=mean_logits|mean_probs|all]}. */
public record EnsembleArgument(String name, List<String> members, CombineMode combine) {
    static final String FORMAT = "NAME=M1,M2,...[,combine=mean_logits|mean_probs|all]";

    public static EnsembleArgument parse(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new IllegalArgumentException("--ensemble expects " + FORMAT + ", got '" + text + "'");
        }
        String name = text.substring(0, eq).trim();
        List<String> members = new ArrayList<>();
        CombineMode combine = CombineMode.MEAN_LOGITS;
        for (String part : text.substring(eq + 1).split(",")) {
            String p = part.trim();
            if (p.startsWith("combine=")) {
                combine = parseCombine(name, p.substring("combine=".length()));
            } else if (!p.isEmpty()) {
                members.add(p);
            }
        }
        if (members.isEmpty()) {
            throw new IllegalArgumentException("--ensemble " + name + ": no members; expected " + FORMAT);
        }
        return new EnsembleArgument(name, List.copyOf(members), combine);
    }

    static CombineMode parseCombine(String ensemble, String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "mean_logits":
                return CombineMode.MEAN_LOGITS;
            case "mean_probs":
                return CombineMode.MEAN_PROBS;
            case "all":
                return CombineMode.ALL;
            default:
                throw new IllegalArgumentException("--ensemble " + ensemble + ": combine must be mean_logits, "
                        + "mean_probs or all, got '" + value + "'");
        }
    }
}
