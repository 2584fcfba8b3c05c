// Links the OpenAPI runtime so the benchmark can compile generated code against it.
import OpenAPIRuntime
