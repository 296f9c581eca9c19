package io.cellar.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellar.protocol.CellarException;
import io.cellar.protocol.StatusCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The one place failures become error replies: code and message, counted under the code. */
class RequestFailuresTest {
  private final List<StatusCode> counted = new ArrayList<>();
  private final RequestFailures failures = new RequestFailures(counted::add);

  private static ObjectNode json(Reply reply) {
    assertTrue(reply.later() == null && !reply.close() && reply.fds().isEmpty());
    return reply.json();
  }

  @Test
  void aProtocolErrorKeepsItsCodeAndMessage() {
    ObjectNode reply =
        json(failures.answer("get_name_request", CellarException.notExists("no such name")));
    assertEquals(12, reply.get("code").asInt());
    assertEquals("no such name", reply.get("message").asText());
    assertFalse(reply.has("type"), "error replies carry no type");
    assertEquals(List.of(StatusCode.OBJECT_NOT_EXISTS), counted);
  }

  @Test
  void aBadArgumentIsInvalidNamingTheCommand() {
    ObjectNode reply = json(failures.answer("seal_request", new IllegalArgumentException("odd")));
    assertEquals(1, reply.get("code").asInt());
    assertEquals("seal_request: odd", reply.get("message").asText());
    assertEquals(List.of(StatusCode.INVALID), counted);
  }

  @Test
  void anythingElseIsUnknownErrorNamingTheFailure() {
    ObjectNode reply = json(failures.answer("clear_request", new IllegalStateException("broken")));
    assertEquals(255, reply.get("code").asInt());
    assertTrue(reply.get("message").asText().contains("IllegalStateException: broken"));
    assertEquals(List.of(StatusCode.UNKNOWN_ERROR), counted);
  }

  @Test
  void aFailedFutureIsAnsweredWithItsCause() {
    Throwable wrapped =
        new CompletionException(new CellarException(StatusCode.NOT_ENOUGH_MEMORY, "full"));
    ObjectNode reply = json(failures.answer("get_data_request", wrapped));
    assertEquals(41, reply.get("code").asInt());
    assertEquals("full", reply.get("message").asText());
    assertEquals(List.of(StatusCode.NOT_ENOUGH_MEMORY), counted);
  }
}
