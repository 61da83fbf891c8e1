// Lets the frontend's development server call the API (Aegis Stack's middleware/cors.py).
#include <aegis/aegis.hpp>
#include <aegis/middleware/cors.hpp>

AEGIS_MIDDLEWARE(cors, "Let the frontend's origin call the API") {
  app.add_middleware<aegis::Cors>({.allow_origins = {"http://localhost:5173", "http://127.0.0.1:5173"},
                                   .allow_methods = {"*"},
                                   .allow_headers = {"*"},
                                   .allow_credentials = true});
}
