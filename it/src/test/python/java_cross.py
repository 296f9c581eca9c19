"""Java <-> Python. 'read': checks the tensor and frame the Java client named (float64 0.5*i for
a 2x3 tensor, columns a=int64 [1,2,3], b=float64 [1.5,2.5,3.5] and s=strings ['x', None, 'zzz']
with index [10,20,30]).
'write': puts the same values under the names for Java to read.
Usage: java_cross.py SOCKET read|write TENSOR_NAME FRAME_NAME"""

import sys

import numpy as np
import pandas as pd
import vineyard

TENSOR = np.arange(6, dtype=np.float64).reshape(2, 3) * 0.5
FRAME = pd.DataFrame({'a': np.array([1, 2, 3], dtype=np.int64), 'b': [1.5, 2.5, 3.5],
                      's': np.array(['x', None, 'zzz'], dtype=object)},
                     index=pd.Index(np.array([10, 20, 30], dtype=np.int64)))


def main():
    client = vineyard.connect(sys.argv[1])
    mode, tensor_name, frame_name = sys.argv[2:5]
    if mode == 'read':
        tensor = client.get(name=tensor_name)
        assert tensor.dtype == np.float64 and np.array_equal(tensor, TENSOR), tensor
        frame = client.get(name=frame_name)
        pd.testing.assert_frame_equal(frame, FRAME, check_index_type=False)
        ints = client.get(name=tensor_name + '-int32')
        assert ints.dtype == np.int32 and np.array_equal(ints, np.array([-1, 0, 7], dtype=np.int32))
    else:
        client.put(TENSOR, persist=True, name=tensor_name)
        client.put(FRAME, persist=True, name=frame_name)
        client.put(np.array([-1, 0, 7], dtype=np.int32), persist=True, name=tensor_name + '-int32')
    print('OK java_cross', mode)


if __name__ == '__main__':
    main()
