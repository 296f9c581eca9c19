"""Puts the values whose metadata the Java builders must reproduce.

Run under strace against a vineyardd (see record_wire_vectors.sh); the wire log is then
turned into test vectors by extract_wire_messages.py.
"""

import sys

import numpy as np
import pandas as pd
import vineyard

client = vineyard.connect(sys.argv[1])
client.put(np.array([1.0, 2.0, 3.0]))
client.put(np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)))
blob_id = client.put(b'hello vineyard')
client.get_meta(blob_id)
frame = pd.DataFrame(
    {'a': np.array([1, 2, 3], dtype=np.int64), 'b': [1.5, 2.5, 3.5]},
    index=pd.Index([10, 20, 30], dtype=np.int64),
)
client.put(frame)
client.put(np.array(7, dtype=np.int16))
client.put(np.zeros((0,), dtype=np.uint8))
client.put(np.array([True, False]))
client.put(pd.DataFrame({'s': ['x', 'yy', 'zzz'], 'n': np.array([1, 2, 3], dtype=np.int64)}))
client.put(np.array(['x', None, 'zzz'], dtype=object))
client.close()
