package org.distillery.student.deploy;

import org.distillery.common.fleet.TeacherTarget;
import org.distillery.student.cli.StudentTrainerMain;
import org.distillery.teacher.cli.EnsembleArgument;
import org.distillery.teacher.cli.ModelArgument;
import org.distillery.teacher.cli.TeacherServerMain;
import org.distillery.teacher.runtime.Device;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/**
 * An argument list written in a deploy file, checked against the real command line of its program: picocli parses
 * it with the program's own command specs (unknown options, subcommands and values of the wrong type are refused),
 * and the values that have a parser of their own (--model, --ensemble, --device, --teacher/--target) go through it.
 * Nothing is run.
 *
 * @param source  where the arguments were written, for messages
 * @param program {@code teacher-server} or {@code student-trainer}
 * @param args    the arguments after the program
 */
record CommandLineCheck(String source, String program, List<String> args) {
    static final String TEACHER = "teacher-server";
    static final String TRAINER = "student-trainer";

    /** The program an image runs ({@code distillery/teacher-server:tag} → teacher-server), or null for others. */
    static String programOfImage(String image) {
        String name = image.replaceFirst(":[^/:]*$", "");
        String last = name.substring(name.lastIndexOf('/') + 1);
        if (!name.startsWith("distillery/")) {
            return null;
        }
        return last.startsWith(TEACHER) ? TEACHER : last.startsWith(TRAINER) ? TRAINER : null;
    }

    /**
     * The arguments of the first word that runs one of the programs (a bare name or a path ending in it), up to the
     * end of that command ({@code ||}, {@code &&}, {@code ;}, {@code |}); null when no word runs one.
     */
    static CommandLineCheck fromShellWords(String source, List<String> words) {
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String program = w.endsWith("/" + TEACHER) || w.equals(TEACHER) ? TEACHER
                    : w.endsWith("/" + TRAINER) || w.equals(TRAINER) ? TRAINER : null;
            if (program != null) {
                int end = i + 1;
                while (end < words.size() && !List.of("||", "&&", ";", "|").contains(words.get(end))) {
                    end++;
                }
                return new CommandLineCheck(source, program, words.subList(i + 1, end));
            }
        }
        return null;
    }

    /**
     * Parses the arguments; throws {@link CommandLine.ParameterException} or {@link IllegalArgumentException} with
     * the source in the message when they are not a valid command line of the program.
     */
    void check() {
        try {
            if (program.equals(TEACHER)) {
                checkTeacher(new CommandLine(new TeacherServerMain()).parseArgs(args.toArray(new String[0])));
            } else if (program.equals(TRAINER)) {
                ParseResult parsed = StudentTrainerMain.commandLine(new PrintWriter(new StringWriter()))
                        .parseArgs(args.toArray(new String[0]));
                ParseResult sub = parsed.subcommand();
                if (sub == null) {
                    throw new IllegalArgumentException("no subcommand (train, export, ...)");
                }
                target(sub, "--teacher");
            } else {
                throw new IllegalArgumentException("unknown program " + program);
            }
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + program + " " + String.join(" ", args) + ": "
                    + e.getMessage(), e);
        }
    }

    private static void checkTeacher(ParseResult parsed) {
        ParseResult sub = parsed.subcommand();
        if (sub != null) {
            target(sub, "--target");
            return;
        }
        List<String> models = values(parsed, "--model");
        if (models.isEmpty()) {
            throw new IllegalArgumentException("serving needs --model");
        }
        models.forEach(ModelArgument::parse);
        values(parsed, "--ensemble").forEach(EnsembleArgument::parse);
        values(parsed, "--device").forEach(Device::parse);
    }

    private static void target(ParseResult parsed, String option) {
        values(parsed, option).forEach(v -> TeacherTarget.parse(option, v));
    }

    private static List<String> values(ParseResult parsed, String option) {
        return parsed.hasMatchedOption(option) ? parsed.matchedOption(option).stringValues() : List.of();
    }

    @Override
    public String toString() {
        return source + ": " + program + " " + String.join(" ", args);
    }
}
