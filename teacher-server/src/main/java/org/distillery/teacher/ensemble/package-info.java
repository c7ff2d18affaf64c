/**
 * Ensemble arithmetic, independent of how models are served: seeded sampling of members ({@link
 * org.distillery.teacher.ensemble.MemberSampler}) and combination of their outputs ({@link
 * org.distillery.teacher.ensemble.EnsembleCombiner}). The ensemble endpoint itself, which checks that members agree,
 * lives with the other endpoints in {@code org.distillery.teacher.server}; this package depends on no serving code.
 */
package org.distillery.teacher.ensemble;
