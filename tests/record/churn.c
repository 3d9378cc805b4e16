/*
 * churn.c - an allocation-heavy program for tests/bench_record.sh: N
 * rounds (argv[1], default 2,000,000) of one allocation of 16..1040 bytes
 * into a ring of 4096 live blocks (argv[2]: another number of slots; a
 * ring of millions makes a recording of millions of distinct blocks;
 * argv[3]: sizes of 16..16 + argv[3] - 1 bytes instead),
 * freeing the block it replaces, with a little work on each block (the
 * bytes are written). Prints the checksum so the work cannot be optimised
 * away.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 2000000;
    size_t slots = argc > 2 ? (size_t)atol(argv[2]) : 4096;
    size_t sizes = argc > 3 ? (size_t)atol(argv[3]) : 1025;
    if (slots == 0 || sizes == 0)
        return 2;
    char **ring = calloc(slots, sizeof *ring);
    if (ring == NULL)
        return 1;
    uint64_t s = 88172645463325252u, sum = 0;
    for (long i = 0; i < rounds; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        size_t n = 16 + (size_t)(s % sizes);
        size_t k = (size_t)(s >> 32) % slots;
        free(ring[k]);
        ring[k] = malloc(n);
        if (ring[k] == NULL)
            return 1;
        memset(ring[k], (int)i, n < 64 ? n : 64);
        sum += (unsigned char)ring[k][n / 2 < 64 ? n / 2 : 0];
    }
    for (size_t k = 0; k < slots; k++)
        free(ring[k]);
    free(ring);
    printf("%llu\n", (unsigned long long)sum);
    return 0;
}
