package org.distillery.student.demo;

import org.distillery.student.data.Dataset;
import org.distillery.student.data.Example;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The students' training data. In the transfer-set scenario (Hinton et al.'s name for the text a student learns
 * from its teacher on) a stratified share of the training examples keeps its labels: the distilled student gets
 * every training example, the others unlabelled ({@link Example#UNLABELLED}), so they teach it through the teacher's
 * answers alone; the undistilled student gets the labelled examples alone, repeated so that its epoch has as many
 * steps as the distilled student's (the same training length and learning-rate schedule for both). With every label
 * both get the whole training split.
 *
 * @param distilled   the distilled student's data
 * @param undistilled the undistilled student's data
 * @param labelled    training examples with a label
 * @param repeats     how often the undistilled student's data repeats the labelled examples
 */
public record TransferSet(Dataset distilled, Dataset undistilled, int labelled, int repeats) {

    /** Both students on every label of {@code train}. */
    public static TransferSet full(Dataset train) {
        return new TransferSet(train, train, train.size(), 1);
    }

    /**
     * Keeps the labels of {@code fraction} of {@code train}'s examples of each label (at least one each), drawn from
     * {@code seed}.
     */
    public static TransferSet of(Dataset train, double fraction, long seed) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("the label fraction must be in (0, 1], got " + fraction);
        }
        boolean[] keep = new boolean[train.size()];
        for (int label = 0; label < train.labelCount(); label++) {
            List<Integer> group = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                if (train.examples().get(i).label() == label) {
                    group.add(i);
                }
            }
            Collections.shuffle(group, new Random(seed * 131 + label));
            int n = Math.min(group.size(), Math.max(1, (int) Math.round(group.size() * fraction)));
            group.subList(0, n).forEach(i -> keep[i] = true);
        }
        List<Example> all = new ArrayList<>();
        List<Example> labelled = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            Example e = train.examples().get(i);
            all.add(keep[i] ? e : e.withoutLabel());
            if (keep[i]) {
                labelled.add(e);
            }
        }
        int repeats = Math.max(1, (int) Math.round(train.size() / (double) labelled.size()));
        List<Example> repeated = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            repeated.addAll(labelled);
        }
        String share = String.format(Locale.ROOT, "%d of %d labelled", labelled.size(), train.size());
        return new TransferSet(new Dataset(train.source() + " (" + share + ")", all, train.labelNames()),
                new Dataset(train.source() + " (the " + labelled.size() + " labelled, " + repeats + "x)", repeated,
                        train.labelNames()), labelled.size(), repeats);
    }
}
