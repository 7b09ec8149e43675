// Stop words for keyword extraction: function words, pronouns and degree
// adverbs that carry no topic. Negations (不, 没, 没有, not, no, never) are
// deliberately absent, because callers that score sentiment must see them.

#include <string>
#include <string_view>
#include <unordered_set>

#include "text/text.h"

namespace shopsight {

namespace {

const std::unordered_set<std::string_view>& stop_words() {
  static const std::unordered_set<std::string_view> words = {
      // Chinese particles, pronouns, conjunctions, prepositions and degree adverbs.
      "的", "了", "是", "我", "也", "很", "都", "就", "还", "在", "和", "有", "这", "那", "吧", "啊", "呢",
      "吗", "嘛", "呀", "哦", "哈", "啦", "着", "过", "地", "得", "把", "被", "给", "让", "对", "与", "及",
      "或", "等", "个", "们", "你", "他", "她", "它", "我们", "你们", "他们", "她们", "它们", "自己",
      "这个", "那个", "这些", "那些", "这样", "那样", "这么", "那么", "一个", "一些", "什么", "怎么",
      "因为", "所以", "但是", "但", "而且", "然后", "如果", "虽然", "还是", "就是", "已经", "可以",
      "还有", "比较", "非常", "真的", "特别", "一下", "一点", "之", "其", "而", "于", "以", "从", "向",
      "到", "又", "再", "才", "只", "更", "最", "太", "挺", "蛮", "这次", "东西", "感觉", "觉得",
      // English articles, pronouns, auxiliaries, prepositions and conjunctions.
      "a", "an", "the", "and", "or", "but", "if", "then", "so", "as", "of", "to", "in", "on", "at", "by",
      "for", "with", "from", "into", "about", "over", "after", "before", "up", "down", "out", "off",
      "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "have", "has", "had",
      "it", "its", "it's", "this", "that", "these", "those", "there", "here", "i", "i'm", "i've", "me",
      "my", "we", "our", "you", "your", "he", "him", "his", "she", "her", "they", "them", "their", "what",
      "which", "who", "whom", "when", "where", "why", "how", "all", "any", "both", "each", "some", "such",
      "than", "too", "very", "can", "will", "would", "could", "should", "may", "might", "must", "just",
      "also", "only", "really", "s", "t", "ll", "re", "ve", "d", "m"};
  return words;
}

}  // namespace

bool is_stop_word(std::string_view word) {
  // Tokens from normalized text are lowercase already; others are folded here for ASCII.
  bool has_upper = false;
  for (char c : word) has_upper = has_upper || (c >= 'A' && c <= 'Z');
  if (!has_upper) return stop_words().contains(word);

  std::string lower(word);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return stop_words().contains(lower);
}

}  // namespace shopsight
