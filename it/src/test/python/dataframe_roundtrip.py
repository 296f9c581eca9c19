"""put/get of pandas DataFrames with int, float and string columns and a non-default index.
Usage: dataframe_roundtrip.py SOCKET"""

import sys

import numpy as np
import pandas as pd
import vineyard


def main():
    client = vineyard.connect(sys.argv[1])
    frames = [
        pd.DataFrame({'a': np.arange(5, dtype=np.int64), 'b': np.linspace(0, 1, 5)}),
        pd.DataFrame(
            {'i': np.array([3, 1, 2], dtype=np.int32), 'f': [0.5, 1.5, -2.0],
             's': ['x', 'yy', 'zzz']},
            index=pd.Index([10, 20, 30], name='key')),
        pd.DataFrame({'only': np.array([True, False])}, index=[7, 8]),
    ]
    for frame in frames:
        object_id = client.put(frame)
        back = client.get(object_id)
        pd.testing.assert_frame_equal(back, frame, check_index_type=False,
                                      check_column_type=False, check_dtype=False)
        assert list(back.index) == list(frame.index)
        for column in frame.columns:
            if frame[column].dtype != object and str(frame[column].dtype) != 'str':
                assert back[column].dtype == frame[column].dtype, (column, back[column].dtype)
    print('OK dataframe_roundtrip', len(frames), 'frames')


if __name__ == '__main__':
    main()
