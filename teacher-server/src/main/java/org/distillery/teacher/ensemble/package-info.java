/**
 * Ensemble arithmetic, independent of how models are served: combination of member outputs ({@link
 * org.distillery.teacher.ensemble.EnsembleCombiner}); seeded sampling of members is in common, where clients that
 * cache answers per member set draw the same members. The ensemble endpoint itself, which checks that members agree,
 * lives with the other endpoints in {@code org.distillery.teacher.server}; this package depends on no serving code.
 */
package org.distillery.teacher.ensemble;
