package org.distillery.teacher.server;

import org.distillery.proto.v1.CombineMode;
import org.distillery.teacher.runtime.ElementType;
import org.distillery.teacher.runtime.TensorSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Several served models behind one name. Built only when the members agree: same inputs, the same logits output with
 * the same label count; the ensemble's outputs are the float outputs every member has with the same shape.
 */
public final class Ensemble implements Endpoint {
    private static final Logger LOG = Logger.getLogger(Ensemble.class.getName());

    private final String name;
    private final List<ServedModel> members;
    private final CombineMode defaultCombine;
    private final Map<String, TensorSpec> outputs;
    private final String version;

    private Ensemble(String name, List<ServedModel> members, CombineMode defaultCombine,
                     Map<String, TensorSpec> outputs) {
        this.version = ModelVersion.ofEnsemble(defaultCombine, members.stream().map(ServedModel::version).toList());
        this.name = name;
        this.members = members;
        this.defaultCombine = defaultCombine;
        this.outputs = outputs;
    }

    /**
     * Checks the members and builds the ensemble.
     *
     * @throws IllegalArgumentException saying which members disagree on what
     */
    public static Ensemble of(String name, List<ServedModel> members, CombineMode defaultCombine) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("ensemble '" + name + "' has no members");
        }
        if (defaultCombine == CombineMode.COMBINE_DEFAULT || defaultCombine == CombineMode.UNRECOGNIZED) {
            throw new IllegalArgumentException("ensemble '" + name + "': a default combine mode is required");
        }
        ServedModel first = members.get(0);
        for (ServedModel m : members.subList(1, members.size())) {
            if (!sameInputs(first.inputs(), m.inputs())) {
                throw new IllegalArgumentException("ensemble '" + name + "': members disagree on inputs: '"
                        + first.name() + "' has " + first.inputs().values() + ", '" + m.name() + "' has "
                        + m.inputs().values());
            }
            if (!first.logitsOutput().equals(m.logitsOutput()) || first.labelCount() != m.labelCount()) {
                throw new IllegalArgumentException("ensemble '" + name + "': members disagree on the logits output: '"
                        + first.name() + "' has '" + first.logitsOutput() + "' with " + first.labelCount()
                        + " labels, '" + m.name() + "' has '" + m.logitsOutput() + "' with " + m.labelCount());
            }
        }
        Map<String, TensorSpec> outputs = new LinkedHashMap<>();
        for (TensorSpec spec : first.outputs().values()) {
            if (spec.type() != ElementType.FLOAT) {
                continue;
            }
            List<String> missing = new ArrayList<>();
            for (ServedModel m : members) {
                TensorSpec other = m.outputs().get(spec.name());
                if (other == null || other.type() != ElementType.FLOAT
                        || !Arrays.equals(other.shape(), spec.shape())) {
                    if (spec.name().equals(first.logitsOutput())) {
                        throw new IllegalArgumentException("ensemble '" + name + "': members disagree on output '"
                                + spec.name() + "': '" + first.name() + "' has " + spec + ", '" + m.name()
                                + "' has " + (other == null ? "none" : other.toString()));
                    }
                    missing.add(m.name());
                }
            }
            if (missing.isEmpty()) {
                outputs.put(spec.name(), spec);
            } else {
                LOG.info("ensemble '" + name + "': output '" + spec.name() + "' left out, members " + missing
                        + " lack it or give it another shape");
            }
        }
        return new Ensemble(name, List.copyOf(members), defaultCombine, Collections.unmodifiableMap(outputs));
    }

    private static boolean sameInputs(Map<String, TensorSpec> a, Map<String, TensorSpec> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (TensorSpec s : a.values()) {
            TensorSpec o = b.get(s.name());
            if (o.type() != s.type() || o.rank() != s.rank()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<ServedModel> members() {
        return members;
    }

    @Override
    public boolean isEnsemble() {
        return true;
    }

    @Override
    public Map<String, TensorSpec> inputs() {
        return members.get(0).inputs();
    }

    @Override
    public Map<String, TensorSpec> outputs() {
        return outputs;
    }

    @Override
    public String logitsOutput() {
        return members.get(0).logitsOutput();
    }

    @Override
    public int labelCount() {
        return members.get(0).labelCount();
    }

    @Override
    public boolean acceptsTexts() {
        return members.stream().allMatch(ServedModel::acceptsTexts);
    }

    @Override
    public CombineMode defaultCombine() {
        return defaultCombine;
    }

    @Override
    public String version() {
        return version;
    }
}
