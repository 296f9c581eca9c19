package io.cellar.client.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TensorTypeTest {
  @Test
  void typenamesFollowNormalizeCpptype() {
    assertEquals("vineyard::Tensor<int>", TensorType.INT32.tensorTypename());
    assertEquals("vineyard::Tensor<float>", TensorType.FLOAT32.tensorTypename());
    assertEquals("vineyard::Tensor<double>", TensorType.FLOAT64.tensorTypename());
    assertEquals("vineyard::Tensor<int64>", TensorType.INT64.tensorTypename());
    assertEquals("vineyard::Tensor<uint32>", TensorType.UINT32.tensorTypename());
    assertEquals("vineyard::Tensor<uint64>", TensorType.UINT64.tensorTypename());
    assertEquals("vineyard::Tensor<int8>", TensorType.INT8.tensorTypename());
    assertEquals("vineyard::Tensor<bool>", TensorType.BOOL.tensorTypename());
  }

  @Test
  void readsNumpyAndCppValueTypes() {
    assertEquals(TensorType.FLOAT64, TensorType.fromMetadata("float64", "<f8"));
    assertEquals(TensorType.FLOAT64, TensorType.fromMetadata("double", null));
    assertEquals(TensorType.FLOAT32, TensorType.fromMetadata("float", null));
    assertEquals(TensorType.INT32, TensorType.fromMetadata("int", null));
    assertEquals(TensorType.INT64, TensorType.fromMetadata("int64_t", null));
    assertEquals(TensorType.UINT16, TensorType.fromMetadata(null, "<u2"));
    assertThrows(IllegalArgumentException.class, () -> TensorType.fromMetadata("object", "|O"));
  }
}
