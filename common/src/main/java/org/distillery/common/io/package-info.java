/** File writing that never leaves a half-written file behind. */
package org.distillery.common.io;
