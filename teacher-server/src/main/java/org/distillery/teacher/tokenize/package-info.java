/** Server-side tokenization of raw texts with DJL's Hugging Face tokenizer. */
package org.distillery.teacher.tokenize;
