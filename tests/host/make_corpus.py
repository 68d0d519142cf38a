#!/usr/bin/env python3
# Writes tests/host/corpus: seed scripts for fuzz_host.c (a few hand-made
# call sequences, and random ones from a fixed seed).
import os, random
d = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
os.makedirs(d, exist_ok=True)
r = random.Random(20)
seeds = {
    'connect_recv_wait': bytes([1,0, 0, 10,1, 0, 0,0,0,64, 0,0,0,0,0,0,0,1, 11,3, 1, 6,0, 0, 0,0,5, 0, 4,0,0, 2,0,0,0]),
    'async_connect_cancel': bytes([1,0, 8, 10,0, 0, 3,0,0,0, 0,0,0,0,0,0,0,9, 4,0,0,0, 11,0,1, 2,0,0,0]),
    'bad_handles': bytes([2,0,0xff,1,2,3,4,5,6,7,8,0, 6,0,0xff,0,0,0,0,0,0,0,0, 0xfe,0,16,0, 10,0,0xf3,9,0xfd,0,0,7]),
    'bad_lengths': bytes([1,0,0, 6,0,0,0xfc,0,0,0, 7,0,0,0xfe,0,64,3, 10,0,0,0,0xfd,0,0,1, 1,0,6,7]),
}
for i in range(4):
    seeds['random%d' % i] = bytes(r.randrange(256) for _ in range(200))
for name, data in seeds.items():
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)
