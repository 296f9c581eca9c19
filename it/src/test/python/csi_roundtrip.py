"""vineyard.csi.write in one process and vineyard.csi.read in another, with vineyard.sock in a
parent directory of the path. Usage: csi_roundtrip.py write|read PATH"""

import sys

import numpy as np
import pandas as pd
import vineyard

FRAME = pd.DataFrame({'x': np.arange(4, dtype=np.int64), 'y': np.arange(4) * 0.25})


def main():
    mode, path = sys.argv[1:3]
    if mode == 'write':
        vineyard.csi.write(FRAME, path)
    else:
        pd.testing.assert_frame_equal(vineyard.csi.read(path), FRAME, check_index_type=False)
    print('OK csi', mode)


if __name__ == '__main__':
    main()
