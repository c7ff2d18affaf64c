/** {@code teacher-server bench}: side-by-side throughput and latency of the served teacher. */
package org.distillery.teacher.bench;
