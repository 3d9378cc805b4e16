new freelist 512 first-fit
alloc 40 as x
alloc 100 as y
alloc 30 as z
alloc 20 as w
free x
free z
