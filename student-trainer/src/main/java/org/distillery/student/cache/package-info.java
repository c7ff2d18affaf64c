/**
 * The teacher-output cache: teacher answers stored per example on local disk (RocksDB), keyed by the teacher's
 * version and everything else that decides an answer, so that later epochs and later runs on the same data never
 * wait for a teacher.
 */
package org.distillery.student.cache;
