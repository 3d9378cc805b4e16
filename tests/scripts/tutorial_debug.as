# The tutorial's debug allocator program, checked step by step.
new debug 8192
alloc 100 as data1
alloc u32[50] as data2
alloc 200 as data3
free data1
free data2
expect stat total_allocated 500
expect stat total_freed 300
expect peak 500
expect live 1
leaks
expect warning leak
free data1
expect warning double-free
expect warnings 2
