/** Starting and stopping teacher server processes: the demo, the trainer's benchmark and the soak share it. */
package org.distillery.teacher.launch;
