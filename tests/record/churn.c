/*
 * churn.c - an allocation-heavy program for tests/bench_record.sh: N
 * rounds (argv[1], default 2,000,000) of one allocation of 16..1040 bytes
 * into a ring of 4096 live blocks, freeing the block it replaces, with a
 * little work on each block (the bytes are written). Prints the checksum
 * so the work cannot be optimised away.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 2000000;
    enum { RING = 4096 };
    static char *ring[RING];
    uint64_t s = 88172645463325252u, sum = 0;
    for (long i = 0; i < rounds; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        size_t n = 16 + (size_t)(s % 1025);
        size_t k = (size_t)(s >> 32) % RING;
        free(ring[k]);
        ring[k] = malloc(n);
        if (ring[k] == NULL)
            return 1;
        memset(ring[k], (int)i, n < 64 ? n : 64);
        sum += (unsigned char)ring[k][n / 2 < 64 ? n / 2 : 0];
    }
    for (int k = 0; k < RING; k++)
        free(ring[k]);
    printf("%llu\n", (unsigned long long)sum);
    return 0;
}
