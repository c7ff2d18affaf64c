package org.distillery.common.fleet;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TeacherTargetTest {
    @Test
    void oneEndpointAndAListBecomeStaticTargets() {
        TeacherTarget one = TeacherTarget.parse("--teacher", "127.0.0.1:50051");
        assertEquals("static:///127.0.0.1:50051", one.grpcTarget());
        assertEquals(List.of("127.0.0.1:50051"), one.endpoints());
        TeacherTarget list = TeacherTarget.parse("--teacher", " t1:1, t2:2 ,[::1]:3");
        assertEquals("static:///t1:1,t2:2,[::1]:3", list.grpcTarget());
        assertEquals(List.of("t1:1", "t2:2", "[::1]:3"), list.endpoints());
        assertEquals("t1:1,t2:2,[::1]:3", list.toString());
        assertFalse(list.dns());
    }

    @Test
    void targetsWithASchemeGoToGrpcAsGiven() {
        TeacherTarget dns = TeacherTarget.parse("--teacher", "dns:///teachers.ns.svc.cluster.local:50051");
        assertEquals("dns:///teachers.ns.svc.cluster.local:50051", dns.grpcTarget());
        assertTrue(dns.dns());
        assertEquals(List.of(), dns.endpoints());
        TeacherTarget written = TeacherTarget.parse("--teacher", "static:///a:1,b:2");
        assertEquals(List.of("a:1", "b:2"), written.endpoints());
    }

    @Test
    void badTargetsSayWhatWasExpectedAndWhichPartIsWrong() {
        for (String bad : new String[]{"localhost", "a:1,b", "a:0", "a:70000", "a:x", ":5", "a:1,,b:2", "::1:5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TeacherTarget.parse("--teacher", bad), bad);
            assertTrue(e.getMessage().startsWith("--teacher must be host:port, a comma list"), e.getMessage());
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TeacherTarget.parse("--teacher", "a:1,a:1"))
                .getMessage().contains("twice"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TeacherTarget.parse("--teacher", " "))
                .getMessage().endsWith("got nothing"));
    }
}
