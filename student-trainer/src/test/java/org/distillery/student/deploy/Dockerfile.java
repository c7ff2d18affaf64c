package org.distillery.student.deploy;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Dockerfile as a list of instructions (keyword and the rest, continuation lines joined, comments dropped): enough
 * to read what the deploy tests check, not a full parser.
 *
 * @param file         where it was read
 * @param instructions keyword (upper case) and its arguments, in order
 */
record Dockerfile(Path file, List<Map.Entry<String, String>> instructions) {
    static Dockerfile read(Path file) throws IOException {
        List<Map.Entry<String, String>> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                continue;
            }
            boolean continues = trimmed.endsWith("\\");
            current.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!continues) {
                String text = current.toString().trim();
                int space = text.indexOf(' ');
                instructions.add(Map.entry(text.substring(0, space).toUpperCase(Locale.ROOT),
                        text.substring(space + 1).trim()));
                current.setLength(0);
            }
        }
        return new Dockerfile(file, instructions);
    }

    /** The arguments of every instruction with that keyword. */
    List<String> all(String keyword) {
        return instructions.stream().filter(e -> e.getKey().equals(keyword)).map(Map.Entry::getValue).toList();
    }

    /** The arguments of the last instruction with that keyword (the one that counts for CMD and the like). */
    String last(String keyword) {
        List<String> all = all(keyword);
        if (all.isEmpty()) {
            fail(file + " has no " + keyword);
        }
        return all.get(all.size() - 1);
    }

    /** The last instruction with that keyword in exec form (a JSON array). */
    List<String> jsonArray(String keyword) {
        String text = last(keyword);
        if (!text.startsWith("[")) {
            fail(file + ": " + keyword + " is not in exec form (a JSON array): " + text);
        }
        return new Gson().fromJson(text, new TypeToken<List<String>>() { }.getType());
    }

    /** The ENV settings of the final stage ({@code ENV A=b C="d e"}). */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        int lastFrom = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).getKey().equals("FROM")) {
                lastFrom = i;
            }
        }
        for (Map.Entry<String, String> e : instructions.subList(lastFrom, instructions.size())) {
            if (e.getKey().equals("ENV")) {
                for (String word : DeployFiles.shellWords(e.getValue().replace("$PATH", ""), Map.of())) {
                    int eq = word.indexOf('=');
                    if (eq > 0) {
                        env.put(word.substring(0, eq), word.substring(eq + 1));
                    }
                }
            }
        }
        return env;
    }
}
