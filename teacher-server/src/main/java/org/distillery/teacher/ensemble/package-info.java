/** Ensembles of served models: member checks, seeded member sampling, and output combination. */
package org.distillery.teacher.ensemble;
