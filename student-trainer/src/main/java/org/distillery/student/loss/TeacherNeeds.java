package org.distillery.student.loss;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The teacher outputs a loss term reads: its logits and named feature outputs. The objective's needs are the union
 * of its terms' needs, and the teacher request is derived from them.
 *
 * @param logits   the teacher's logits
 * @param features feature outputs by name, in the order first asked for
 */
public record TeacherNeeds(boolean logits, List<String> features) {
    /** A term that reads nothing of the teacher. */
    public static final TeacherNeeds NONE = new TeacherNeeds(false, List.of());
    /** A term that reads the teacher's logits only. */
    public static final TeacherNeeds LOGITS = new TeacherNeeds(true, List.of());

    public TeacherNeeds {
        features = List.copyOf(features);
    }

    /** The logits and one feature output. */
    public static TeacherNeeds feature(String name) {
        return new TeacherNeeds(false, List.of(name));
    }

    /** True when the teacher must be asked at all. */
    public boolean any() {
        return logits || !features.isEmpty();
    }

    /** What either needs. */
    public TeacherNeeds and(TeacherNeeds other) {
        Set<String> union = new LinkedHashSet<>(features);
        union.addAll(other.features);
        return new TeacherNeeds(logits || other.logits, List.copyOf(union));
    }
}
