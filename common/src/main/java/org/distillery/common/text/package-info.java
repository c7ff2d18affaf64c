/** Text assets: writing Hugging Face tokenizer files. */
package org.distillery.common.text;
