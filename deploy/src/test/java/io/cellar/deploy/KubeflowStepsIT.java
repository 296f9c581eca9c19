package io.cellar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellar.testing.python.PythonScriptException;
import io.cellar.testing.python.PythonVenv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example's four steps, run as the pipeline without vineyard runs them (files in a data
 * directory), at the smallest size (multiplier 1: 10,000 rows), in a venv with numpy and pandas
 * only. Each must print the example's timing labels in the example's format, and the test step the
 * mean squared error. {@code --drop_caches=false} keeps the test from dropping this machine's page
 * cache (the steps evict their input files instead).
 */
class KubeflowStepsIT {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final String RULE = "##################################";
  private static final String NUMBER = "([0-9.]+(?:e-?[0-9]+)?)";

  private static PythonVenv steps;

  @TempDir Path data;

  @BeforeAll
  static void venv() throws Exception {
    steps = KubeflowExample.venv("steps");
  }

  @Test
  void theStepsRunOnFilesAndPrintTheExamplesTimingLabels() throws Exception {
    Path results = data.resolve("results.jsonl");

    String prepare = step("prepare-data.py", "--data_multiplier=1");
    assertLabels(prepare, "dataframe to_pickle time:", "preparing data time:");
    assertTrue(Files.size(data.resolve("df_1.pkl")) > 10_000 * 46 * 8, "df_1.pkl too small");

    // --with_vineyard=False must mean false (argparse's type=bool, upstream, makes it true):
    // this venv has no vineyard package, so the store path would fail on its import
    String preprocess =
        step(
            "preprocess.py",
            "--data_multiplier",
            "1",
            "--with_vineyard=False",
            "--results",
            results.toString());
    assertLabels(
        preprocess,
        "read dataframe pickle time:",
        "write training and testing data time:",
        "Preprocessing data time:");
    for (String part : List.of("x_train", "x_test", "y_train", "y_test")) {
      assertTrue(Files.exists(data.resolve(part + ".pkl")), part + ".pkl not written");
    }

    String train = step("train.py", "--with_vineyard=false", "--results", results.toString());
    assertLabels(train, "read x_train and y_train data time:", "Training model data time:");
    assertFalse(
        Files.exists(data.resolve("x_train.pkl")), "train leaves its inputs, unlike the example");
    assertTrue(Files.exists(data.resolve("model.pkl")));

    String test = step("test.py", "--results", results.toString());
    assertLabels(test, "read x_test and y_test execution time:", "Testing model data time:");
    Matcher mse = Pattern.compile("(?m)^mean squared error: " + NUMBER + "$").matcher(test);
    assertTrue(mse.find(), "no mean squared error printed:\n" + test);
    double error = Double.parseDouble(mse.group(1));
    // prepare-data's SalePrice is linear in three columns plus noise uniform in [0, 20000), whose
    // variance is 20000^2 / 12 = 3.3e7: a fit that finds the line leaves about that much
    assertTrue(
        error > 2.5e7 && error < 4.5e7, "mean squared error " + error + " is not the noise's");
    assertTrue(Files.readString(data.resolve("output.txt")).contains("mse=" + mse.group(1)));
    assertFalse(Files.exists(data.resolve("x_test.pkl")));

    // the records bench/run tabulates: one per step, the phases keyed by the labels
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> records = new ArrayList<>();
    for (String line : Files.readAllLines(results)) {
      records.add(json.readTree(line));
    }
    assertEquals(
        List.of("preprocess", "train", "test"),
        records.stream().map(r -> r.get("step").asText()).toList());
    assertTrue(records.get(0).get("phases").has("write training and testing data time:"));
    assertEquals("files", records.get(2).get("variant").asText());
    assertEquals(error, records.get(2).get("mse").asDouble());
  }

  @Test
  void withVineyardTakesOnlyTrueOrFalse() throws Exception {
    PythonScriptException refused =
        assertThrows(PythonScriptException.class, () -> step("train.py", "--with_vineyard=maybe"));
    assertEquals(2, refused.exitCode().orElseThrow(), refused.output());
    assertTrue(refused.output().contains("expected true or false, got 'maybe'"), refused.output());
  }

  /** Runs a step in the example's directory layout, with the data in {@link #data}. */
  private String step(String script, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(KubeflowExample.directory().resolve(script).toString());
    command.addAll(List.of("--data_dir", data.toString(), "--drop_caches=false"));
    command.addAll(List.of(args));
    return steps.run(TIMEOUT, Map.of(), command);
  }

  /** Each label on a line of its own after the example's rule line, with seconds after it. */
  private static void assertLabels(String output, String... labels) {
    for (String label : labels) {
      Matcher line =
          Pattern.compile(
                  "(?m)^" + Pattern.quote(RULE) + "\n" + Pattern.quote(label) + "  " + NUMBER + "$")
              .matcher(output);
      assertTrue(line.find(), "no '" + label + " <seconds>' after a rule line in:\n" + output);
      assertTrue(Double.parseDouble(line.group(1)) >= 0);
    }
  }
}
