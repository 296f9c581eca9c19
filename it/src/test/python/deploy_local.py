"""vineyard.deploy.local.start_vineyardd with Cellar's launcher: it starts its own etcd (the
default --meta etcd), the daemon joins it, and a client puts and reads a persisted value.
Usage: deploy_local.py VINEYARDD_PATH RPC_PORT"""

import sys

import numpy as np
import vineyard
from vineyard.deploy.local import start_vineyardd


def main():
    path, port = sys.argv[1], int(sys.argv[2])
    with start_vineyardd(vineyardd_path=path, size='256Mi', rpc_socket_port=port) as (proc, socket, etcd_endpoints):
        client = vineyard.connect(socket)
        oid = client.put(np.arange(12), persist=True, name='deployed')
        assert client.get_name('deployed') == oid
        assert np.array_equal(client.get(oid), np.arange(12))
        meta = client.meta
        assert list(meta.keys()) == [client.instance_id], meta
        assert meta[client.instance_id]['rpc_endpoint'].endswith(':%d' % port), meta
        assert client.status.deployment == 'local'  # start_vineyardd passes --deployment local
        assert etcd_endpoints, etcd_endpoints
        client.close()
    print('OK deploy_local')


if __name__ == '__main__':
    main()
