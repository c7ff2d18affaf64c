package org.distillery.student.demo;

import java.util.Locale;

/**
 * What one demo run shows: the scenario, the share of training labels the students see, and how many seeds each
 * student is trained with.
 *
 * @param preset        model sizes and training lengths
 * @param corpus        {@code spam-assassin} or {@code tiny} (the built-in toy corpus, for tests)
 * @param scenario      transfer set (few labels, all the text) or full labels
 * @param labelFraction share of the training examples whose labels the students see in the transfer-set scenario
 * @param seeds         students trained per kind
 */
public record DemoOptions(DemoPreset preset, String corpus, Scenario scenario, double labelFraction, int seeds) {
    /** The share of labels the students see by default in the transfer-set scenario. */
    public static final double DEFAULT_LABEL_FRACTION = 0.05;

    /** The two scenarios. */
    public enum Scenario {
        /**
         * The teachers learn from every training label; both students see the labels of a few training examples
         * only, and the distilled student also learns from the teachers' answers on every training example.
         */
        TRANSFER,
        /** Teachers and students learn from every training label. */
        FULL;

        /** @throws IllegalArgumentException naming what was expected and what arrived */
        public static Scenario parse(String text) {
            switch (text.toLowerCase(Locale.ROOT)) {
                case "transfer":
                    return TRANSFER;
                case "full":
                    return FULL;
                default:
                    throw new IllegalArgumentException("--scenario must be transfer or full, got '" + text + "'");
            }
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return id();
        }
    }

    public DemoOptions {
        if (preset == null) {
            throw new IllegalArgumentException("a demo needs a preset");
        }
        if (!"spam-assassin".equals(corpus) && !"tiny".equals(corpus)) {
            throw new IllegalArgumentException("--corpus must be spam-assassin or tiny, got '" + corpus + "'");
        }
        if (scenario == null) {
            throw new IllegalArgumentException("--scenario must be transfer or full, got none");
        }
        if (!(labelFraction > 0 && labelFraction <= 1)) {
            throw new IllegalArgumentException("--label-fraction must be in (0, 1], got " + labelFraction);
        }
        if (seeds < 1 || seeds > 20) {
            throw new IllegalArgumentException("--seeds must be between 1 and 20, got " + seeds);
        }
    }

    /** The transfer-set scenario with the default label fraction and the preset's number of seeds. */
    public static DemoOptions of(DemoPreset preset, String corpus) {
        return new DemoOptions(preset, corpus, Scenario.TRANSFER, DEFAULT_LABEL_FRACTION, preset.seeds());
    }

    public DemoOptions withScenario(Scenario value) {
        return new DemoOptions(preset, corpus, value, labelFraction, seeds);
    }

    public DemoOptions withLabelFraction(double value) {
        return new DemoOptions(preset, corpus, scenario, value, seeds);
    }

    public DemoOptions withSeeds(int value) {
        return new DemoOptions(preset, corpus, scenario, labelFraction, value);
    }
}
