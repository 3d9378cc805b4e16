/*
 * churn.c - an allocation-heavy program for tests/bench_record.sh: N
 * rounds (argv[1], default 2,000,000) of one allocation of 16..1040 bytes
 * into a ring of 4096 live blocks (argv[2]: another number of slots; a
 * ring of millions makes a recording of millions of distinct blocks;
 * argv[3]: sizes of 16..16 + argv[3] - 1 bytes instead), freeing the
 * block it replaces, with a little work on each block (the bytes are
 * written). argv[4]: that many threads, each doing all of it with a ring
 * of its own. Prints the checksum so the work cannot be optimised away.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long rounds = 2000000;
static size_t slots = 4096, sizes = 1025;

static void *churn(void *seed)
{
    char **ring = calloc(slots, sizeof *ring);
    if (ring == NULL)
        exit(1);
    uint64_t s = 88172645463325252u + (uintptr_t)seed, sum = 0;
    for (long i = 0; i < rounds; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        size_t n = 16 + (size_t)(s % sizes);
        size_t k = (size_t)(s >> 32) % slots;
        free(ring[k]);
        ring[k] = malloc(n);
        if (ring[k] == NULL)
            exit(1);
        memset(ring[k], (int)i, n < 64 ? n : 64);
        sum += (unsigned char)ring[k][n / 2 < 64 ? n / 2 : 0];
    }
    for (size_t k = 0; k < slots; k++)
        free(ring[k]);
    free(ring);
    return (void *)(uintptr_t)sum;
}

int main(int argc, char **argv)
{
    rounds = argc > 1 ? atol(argv[1]) : rounds;
    slots = argc > 2 ? (size_t)atol(argv[2]) : slots;
    sizes = argc > 3 ? (size_t)atol(argv[3]) : sizes;
    long threads = argc > 4 ? atol(argv[4]) : 0;
    if (slots == 0 || sizes == 0 || threads < 0 || threads > 64)
        return 2;
    uint64_t sum = 0;
    if (threads == 0) {
        sum = (uintptr_t)churn(NULL);
    } else {
        pthread_t t[64];
        for (long i = 0; i < threads; i++)
            if (pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)i) != 0)
                return 1;
        for (long i = 0; i < threads; i++) {
            void *r;
            pthread_join(t[i], &r);
            sum += (uintptr_t)r;
        }
    }
    printf("%llu\n", (unsigned long long)sum);
    return 0;
}
