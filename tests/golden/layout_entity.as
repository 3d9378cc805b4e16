struct Bad { u8 a; u64 b; u8 c; }
layout Bad
