"""Python tools: each invocation read once into a typed record (`read.read`), shared by the simulator and the
write-need analysis."""
