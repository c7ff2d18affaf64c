package org.distillery.student.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MailTextAndSplitsTest {
    @Test
    void mailIsReducedToSubjectAndBodyText() {
        String raw = "From someone  Tue Aug  6 11:51:02 2002\n"
                + "Received: from a by b\n\tfor <c>; Tue, 6 Aug 2002\n"
                + "Subject: Cheap pills\n  today only\n"
                + "Content-Type: multipart/alternative; boundary=\"----=_NextPart_000\"\n"
                + "\n"
                + "------=_NextPart_000\n"
                + "Content-Type: text/html; charset=us-ascii\n"
                + "Content-Transfer-Encoding: quoted-printable\n"
                + "\n"
                + "<html><body><p>Buy n=\now &amp; save</p><style>p {}</style></body></html>\n"
                + "------=_NextPart_000--\n";
        assertEquals("Cheap pills today only Buy now & save", MailText.reduce(raw));
    }

    @Test
    void stratifiedSplitKeepsProportionsAndIsDeterministic() {
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            examples.add(new Example("t" + i, "", i < 80 ? 0 : 1));
        }
        Dataset data = new Dataset("d", examples, List.of("a", "b"));
        List<Dataset> split = Splits.stratified(data, 0.1, 0.2, 5);
        assertEquals(70, split.get(0).size());
        assertEquals(10, split.get(1).size());
        assertEquals(20, split.get(2).size());
        assertEquals(16, split.get(2).labelCounts()[0]);
        assertEquals(4, split.get(2).labelCounts()[1]);
        Set<String> seen = new HashSet<>();
        split.forEach(d -> d.examples().forEach(e -> assertTrue(seen.add(e.text()), "no example twice")));
        assertEquals(split.get(2).examples(), Splits.stratified(data, 0.1, 0.2, 5).get(2).examples());
        assertFalse(split.get(2).examples().equals(Splits.stratified(data, 0.1, 0.2, 6).get(2).examples()));
    }
}
