# Writes the text of INPUT to OUTPUT as a C++ raw string literal.
file(READ ${INPUT} content)
file(WRITE ${OUTPUT} "R\"kql(${content})kql\"\n")
