package org.llm4e.optimizers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.llm4e.core.Parallel;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.internal.UpdateKernels;

/**
 * What every optimizer shares: its parameter groups, the per-parameter state, {@code step()} as a loop over groups and
 * parameters, and torch-shaped {@code stateDict}/{@code loadStateDict}. Subclasses supply the update rule of one
 * parameter.
 */
abstract class BaseOptimizer implements Optimizer {
    /** Elements per chunk below which a parameter is updated on the calling thread alone. */
    static final int GRAIN = 1 << 15;

    private final HyperSpec spec;
    private final List<ParamGroup> groups;
    private final Map<Parameter, ParamState> state = new IdentityHashMap<>();
    private final List<Parameter> allParams = new ArrayList<>();

    /** The element loops of the update rules (scalar or Vector API; tests pass either). */
    final UpdateKernels kernels;

    BaseOptimizer(HyperSpec spec, Map<String, Object> values, List<ParamGroup> requests, UpdateKernels kernels) {
        this.spec = spec;
        this.kernels = kernels;
        if (requests == null || requests.isEmpty()) {
            throw new IllegalArgumentException(spec.optimizer() + ": param groups must not be null or empty");
        }
        List<ParamGroup> owned = new ArrayList<>(requests.size());
        Map<Parameter, Integer> seen = new IdentityHashMap<>();
        for (int gi = 0; gi < requests.size(); gi++) {
            ParamGroup request = requests.get(gi);
            if (request == null) {
                throw new IllegalArgumentException(spec.optimizer() + ": param group " + gi + " must not be null");
            }
            for (Parameter p : request.params()) {
                Integer before = seen.put(p, gi);
                if (before != null) {
                    throw new IllegalArgumentException(spec.optimizer() + ": parameter '" + p.name()
                            + "' appears in more than one place (groups " + before + " and " + gi + ")");
                }
                allParams.add(p);
            }
            owned.add(ParamGroup.owned(request, spec, values));
        }
        this.groups = Collections.unmodifiableList(owned);
    }

    /** Updates one parameter with its group's hyperparameters; {@code s.step} is already incremented. */
    abstract void update(Parameter p, ParamState s, ParamGroup g);

    /** Whether the state carries torch's {@code step} (SGD's does not). */
    boolean tracksStep() {
        return true;
    }

    /** The buffer names this optimizer may keep per parameter. */
    abstract Set<String> bufferNames();

    /** The scalar state names this optimizer may keep per parameter. */
    Set<String> scalarNames() {
        return Set.of();
    }

    /** The optimizer's torch class name. */
    final String name() {
        return spec.optimizer();
    }

    final HyperSpec spec() {
        return spec;
    }

    /** Runs {@code task} over {@code [0, n)}, in parallel chunks when {@code n} is large. */
    static void chunks(int n, Parallel.RangeTask task) {
        Parallel.forRange(0, n, GRAIN, task);
    }

    @Override
    public void step() {
        for (ParamGroup g : groups) {
            for (Parameter p : g.params()) {
                ParamState s = state.computeIfAbsent(p, k -> new ParamState());
                s.step++;
                update(p, s, g);
            }
        }
    }

    @Override
    public void zeroGrad() {
        for (Parameter p : allParams) {
            p.zeroGrad();
        }
    }

    @Override
    public List<ParamGroup> paramGroups() {
        return groups;
    }

    @Override
    public double lr() {
        return groups.get(0).lr();
    }

    @Override
    public void setLr(double lr) {
        for (ParamGroup g : groups) {
            g.setLr(lr);
        }
    }

    /** The state of one parameter, or null before its first step (tests and subclasses). */
    final ParamState stateOf(Parameter p) {
        return state.get(p);
    }

    final void checkOwned(Parameter p) {
        for (Parameter q : allParams) {
            if (q == p) {
                return;
            }
        }
        throw new IllegalArgumentException(
                name() + ": parameter '" + (p == null ? "null" : p.name()) + "' is not optimized by this optimizer");
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<Integer, Object> stateOut = new LinkedHashMap<>();
        for (int i = 0; i < allParams.size(); i++) {
            ParamState s = state.get(allParams.get(i));
            if (s == null) {
                continue;
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            if (tracksStep()) {
                entry.put("step", s.step);
            }
            for (Map.Entry<String, float[]> b : s.buffers.entrySet()) {
                entry.put(b.getKey(), b.getValue().clone());
            }
            entry.putAll(s.scalars);
            stateOut.put(i, entry);
        }
        List<Map<String, Object>> groupsOut = new ArrayList<>();
        int index = 0;
        for (ParamGroup g : groups) {
            Map<String, Object> entry = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : g.values().entrySet()) {
                entry.put(e.getKey(), HyperSpec.copyValue(e.getValue()));
            }
            List<Integer> ids = new ArrayList<>();
            for (int k = 0; k < g.params().size(); k++) {
                ids.add(index++);
            }
            entry.put("params", ids);
            groupsOut.add(entry);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", stateOut);
        out.put("param_groups", groupsOut);
        return out;
    }

    @Override
    public void loadStateDict(Map<String, Object> stateDict) {
        String me = name() + ".loadStateDict: ";
        if (stateDict == null) {
            throw new IllegalArgumentException(me + "stateDict must not be null");
        }
        if (!(stateDict.get("param_groups") instanceof List<?>)) {
            throw new IllegalArgumentException(
                    me + "'param_groups' must be a List, got " + stateDict.get("param_groups"));
        }
        if (!(stateDict.get("state") instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(me + "'state' must be a Map, got " + stateDict.get("state"));
        }
        List<?> savedGroups = (List<?>) stateDict.get("param_groups");
        if (savedGroups.size() != groups.size()) {
            throw new IllegalArgumentException(me + "the saved state has " + savedGroups.size()
                    + " parameter groups, this optimizer has " + groups.size());
        }
        // Resolve everything first, then commit, so a bad dictionary leaves the optimizer unchanged.
        List<Map<String, Object>> newValues = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            if (!(savedGroups.get(gi) instanceof Map<?, ?>)) {
                throw new IllegalArgumentException(me + "param_groups[" + gi + "] must be a Map");
            }
            Map<String, Object> saved = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) savedGroups.get(gi)).entrySet()) {
                saved.put(String.valueOf(e.getKey()), e.getValue());
            }
            Object ids = saved.remove("params");
            int expected = groups.get(gi).params().size();
            if (!(ids instanceof List<?>) || ((List<?>) ids).size() != expected) {
                throw new IllegalArgumentException(me + "param_groups[" + gi + "] has "
                        + (ids instanceof List<?> ? ((List<?>) ids).size() + " parameters" : "no 'params' list")
                        + ", this optimizer's group has " + expected);
            }
            newValues.add(spec.resolve(saved, groups.get(gi).values()));
        }
        Map<Parameter, ParamState> newState = new IdentityHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) stateDict.get("state")).entrySet()) {
            int index = indexOf(me, e.getKey());
            Parameter p = allParams.get(index);
            if (!(e.getValue() instanceof Map<?, ?>)) {
                throw new IllegalArgumentException(me + "state[" + index + "] must be a Map");
            }
            newState.put(p, readState(me + "state[" + index + "] (parameter '" + p.name() + "'): ", p, (Map<?, ?>)
                    e.getValue()));
        }
        for (int gi = 0; gi < groups.size(); gi++) {
            groups.get(gi).values().clear();
            groups.get(gi).values().putAll(newValues.get(gi));
        }
        state.clear();
        state.putAll(newState);
    }

    private int indexOf(String me, Object key) {
        int index;
        if (key instanceof Number) {
            index = ((Number) key).intValue();
        } else {
            try {
                index = Integer.parseInt(String.valueOf(key));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(me + "state keys must be parameter indices, got " + key);
            }
        }
        if (index < 0 || index >= allParams.size()) {
            throw new IllegalArgumentException(me + "state index " + index + " is out of range [0, " + allParams.size()
                    + ") for this optimizer's parameters");
        }
        return index;
    }

    private ParamState readState(String where, Parameter p, Map<?, ?> saved) {
        ParamState s = new ParamState();
        for (Map.Entry<?, ?> e : saved.entrySet()) {
            String key = String.valueOf(e.getKey());
            Object v = e.getValue();
            if (key.equals("step") && tracksStep()) {
                if (!(v instanceof Number) || ((Number) v).doubleValue() < 0) {
                    throw new IllegalArgumentException(where + "step must be a number >= 0, got " + v);
                }
                s.step = ((Number) v).longValue();
            } else if (bufferNames().contains(key)) {
                if (!(v instanceof float[])) {
                    throw new IllegalArgumentException(where + key + " must be a float[], got " + v);
                }
                float[] b = (float[]) v;
                if (b.length != p.size()) {
                    throw new IllegalArgumentException(
                            where + key + " has length " + b.length + ", the parameter has " + p.size() + " elements");
                }
                s.buffers.put(key, b.clone());
            } else if (scalarNames().contains(key)) {
                if (!(v instanceof Number)) {
                    throw new IllegalArgumentException(where + key + " must be a number, got " + v);
                }
                s.scalars.put(key, ((Number) v).doubleValue());
            } else {
                throw new IllegalArgumentException(where + "unknown state entry '" + key + "' for " + name()
                        + "; expected step, " + bufferNames() + " or " + scalarNames());
            }
        }
        return s;
    }

    @Override
    public String toString() {
        return name() + groups;
    }
}
