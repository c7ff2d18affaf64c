package org.distillery.common.ensemble;

import org.distillery.common.errors.ServingException;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Picks k of n ensemble members without replacement from a seed (a partial Fisher-Yates shuffle), keeping the
 * members' order. The same seed always picks the same members.
 */
public final class MemberSampler {
    private MemberSampler() {
    }

    public static <T> List<T> sample(String ensemble, List<T> members, int k, long seed) {
        if (k < 0 || k > members.size()) {
            throw ServingException.invalidArgument("ensemble '" + ensemble + "': sample_members must be in [0, "
                    + members.size() + "] (0 = all members), got " + k);
        }
        if (k == 0 || k == members.size()) {
            return members;
        }
        int n = members.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        boolean[] chosen = new boolean[n];
        for (int i = 0; i < k; i++) {
            chosen[order[i]] = true;
        }
        List<T> picked = new ArrayList<>(k);
        for (int i = 0; i < n; i++) {
            if (chosen[i]) {
                picked.add(members.get(i));
            }
        }
        return picked;
    }
}
