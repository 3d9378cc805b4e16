struct One { u8 a; }
layout One
struct Two { u8 a; u16 b; }
layout Two
types
