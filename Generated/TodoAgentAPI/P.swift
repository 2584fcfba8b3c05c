enum _P1 {}
