/** Starting and stopping teacher server processes for the demo and the benchmarks. */
package org.distillery.student.launch;
