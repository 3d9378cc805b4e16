# tests/plugins/liar.c breaks one promise, chosen by the words after the
# size; each is caught with its warning, and a block that breaks a rule of
# placement is refused.
new plugin liar.so 4096 misalign as m
alloc 8 align 8 as m1
expect warning misaligned
expect live 0
new plugin liar.so 4096 outside as o
alloc 8 as o1
alloc 8 as o2
alloc 8 as o3
expect warning outside-region
expect live 2
new plugin liar.so 4096 metadata as md
alloc 8 as md1
alloc 8 as md2
alloc 8 as md3
expect warning in-metadata
expect live 2
new plugin liar.so 4096 neighbour as n
alloc 16 as n1
alloc 16 as n2
free n1
expect warning corrupted
new plugin liar.so 4096 lose as l
alloc 8 as l1
write l1 "contents"
realloc l1 64
expect warning lost-contents
new plugin liar.so 4096 describe as d
alloc 8 as d1
expect warning bad-describe
expect warnings 6
