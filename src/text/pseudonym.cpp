// Keyed user pseudonyms. The hash is keyed because the ids worth hiding
// (mobile numbers) are few enough to enumerate: about 10^10 of them.

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <xxhash.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "text/text.h"

namespace shopsight {

namespace {

std::string hex(const unsigned char* bytes, std::size_t count) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(count * 2);
  for (std::size_t i = 0; i < count; ++i) {
    text += kDigits[bytes[i] >> 4];
    text += kDigits[bytes[i] & 0x0F];
  }
  return text;
}

}  // namespace

std::string new_pseudonym_key() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for a pseudonym key");
  return hex(bytes, sizeof bytes);
}

std::string unkeyed_pseudonym(std::string_view user) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx",
                static_cast<unsigned long long>(XXH3_64bits(user.data(), user.size())));
  return "user-" + std::string(buffer + 4, buffer + 16);
}

std::string rekeyed_pseudonym(std::string_view unkeyed, std::string_view key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(unkeyed.data()),
       unkeyed.size(), digest, &length);
  return "user-" + hex(digest, 6);
}

std::string pseudonymous_user(std::string_view user, std::string_view key) {
  if (user.empty() || mask_personal_data(user) == user) return std::string(user);
  return rekeyed_pseudonym(unkeyed_pseudonym(user), key);
}

}  // namespace shopsight
