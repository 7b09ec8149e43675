# Writes OUTPUT, a C++ source whose openapi_document() returns the text of
# INPUT as a raw string literal, so INPUT must not contain the closing
# sequence )openapi followed by a double quote.
file(READ ${INPUT} DOCUMENT)
file(WRITE ${OUTPUT} "// Generated from openapi.json by embed_openapi.cmake; edit that file instead.\n"
  "#include \"serve/serve.h\"\n"
  "namespace shopsight::serve {\n"
  "std::string_view openapi_document() {\n"
  "  static constexpr std::string_view kDocument = R\"openapi(${DOCUMENT})openapi\";\n"
  "  return kDocument;\n"
  "}\n"
  "}  // namespace shopsight::serve\n")
