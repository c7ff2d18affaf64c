package org.distillery.student.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reduces a raw RFC 822 message to its subject and body text: headers dropped (folded lines included), MIME part
 * headers and boundaries dropped, quoted-printable soft line breaks joined, HTML tags and common entities removed,
 * whitespace collapsed.
 */
public final class MailText {
    private static final Pattern SOFT_BREAK = Pattern.compile("=\\r?\\n");
    private static final Pattern TAG = Pattern.compile("(?s)<(script|style)[^>]*>.*?</\\1>|<!--.*?-->|<[^>]{0,2000}>",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SPACE = Pattern.compile("\\s+");
    private static final Pattern PART_HEADER = Pattern.compile("^(content-[a-z-]+|mime-version):.*",
            Pattern.CASE_INSENSITIVE);

    private MailText() {
    }

    /** Subject and body of a raw message, reduced to plain text. */
    public static String reduce(String raw) {
        String text = raw.replace("\r\n", "\n");
        int split = text.indexOf("\n\n");
        String headers = split < 0 ? text : text.substring(0, split);
        String body = split < 0 ? "" : text.substring(split + 2);
        String subject = header(headers, "subject");
        StringBuilder kept = new StringBuilder();
        boolean inPartHeaders = false;
        for (String line : SOFT_BREAK.matcher(body).replaceAll("").split("\n", -1)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("--") && trimmed.length() > 10 && !trimmed.contains(" ")) {
                inPartHeaders = true; // a MIME boundary: part headers follow until a blank line
                continue;
            }
            if (inPartHeaders) {
                if (trimmed.isEmpty()) {
                    inPartHeaders = false;
                }
                continue;
            }
            if (PART_HEADER.matcher(trimmed).matches()) {
                continue;
            }
            kept.append(line).append('\n');
        }
        String plain = TAG.matcher(kept).replaceAll(" ").replace("&nbsp;", " ").replace("&amp;", "&")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
        return SPACE.matcher((subject + "\n" + plain)).replaceAll(" ").trim();
    }

    /** An unfolded header value, or "" when absent. */
    static String header(String headers, String name) {
        List<String> lines = new ArrayList<>(List.of(headers.split("\n")));
        String prefix = name.toLowerCase(Locale.ROOT) + ":";
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).toLowerCase(Locale.ROOT).startsWith(prefix)) {
                StringBuilder value = new StringBuilder(lines.get(i).substring(prefix.length()).trim());
                for (int j = i + 1; j < lines.size() && (lines.get(j).startsWith(" ") || lines.get(j).startsWith("\t"));
                     j++) {
                    value.append(' ').append(lines.get(j).trim());
                }
                return value.toString();
            }
        }
        return "";
    }
}
