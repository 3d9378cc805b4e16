new debug 256
alloc 40 as d1
alloc 20 as d2
free d1
