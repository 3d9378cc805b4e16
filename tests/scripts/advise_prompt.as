# advise at the prompt: the session's own allocations (frames of blocks
# that die together), advised as text and JSON; the state is unchanged
new freelist 16384
alloc 40 as a1
alloc 100 as a2
alloc 24 align 16 as a3
free a2
free a1
free a3
alloc 64 as b1
alloc 200 as b2
alloc 8 as b3
free b3
free b1
free b2
alloc 32 as c1
alloc 16 as c2
free c1
free c2
advise
advise json
expect live 0
