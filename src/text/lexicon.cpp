// Shopping vocabulary that ICU 72's CJK dictionary lacks or splits into
// single characters (客服 -> 客 服, 性价比高 -> 性 价 比高). segment() merges
// ICU's pieces into these words. The list is written for review text and
// kept to words whose split form misleads keyword and aspect extraction.

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "text/lexicon.h"

namespace shopsight::text_detail {

namespace {

constexpr std::string_view kWords[] = {
    // Shopping, service and logistics.
    "客服", "售后", "卖家", "买家", "商家", "店家", "掌柜", "自营", "商城", "网购", "下单", "拍下", "付款",
    "发货", "到货", "收货", "签收", "退货", "换货", "退款", "补发", "漏发", "错发", "赠品", "包邮",
    "快递员", "运费", "好评", "差评", "中评", "追评", "晒单", "返现", "正品", "假货", "次品", "国货",
    "性价比", "价位", "物美价廉", "秒杀", "预售", "缺货", "到手价",
    // Apparel.
    "尺码", "码数", "偏小", "偏大", "偏瘦", "偏肥", "合身", "版型", "面料", "料子", "做工", "起球",
    "掉色", "褪色", "线头", "色差", "上身", "显瘦", "显胖", "显白", "显黑",
    // Electronics.
    "待机", "续航", "死机", "卡顿", "机身", "像素", "显卡", "内存条", "固态硬盘", "鼠标", "键盘",
    "屏幕", "分辨率", "散热", "充电器", "数据线", "自带", "内置", "宽带", "系统盘", "分区", "蓝牙",
    // Beauty and hair care.
    "洗发水", "洗发露", "护发素", "护发", "去屑", "头屑", "控油", "补水", "保湿", "美白", "祛痘",
    "清洁力", "吸收", "油腻", "紧绷", "过敏", "刺痛", "质地", "肤感", "水润", "遮瑕", "持妆", "卸妆",
    "面膜", "精华液", "乳液", "防晒霜", "粉底液", "口红",
    // Food.
    "难吃", "好吃", "好喝", "难喝", "好闻", "难闻", "口感", "保质期", "生产日期", "甜度", "新鲜度", "酸奶",
    // Hotels.
    "大床房", "标间", "总台", "前台", "早餐", "隔音", "房价", "星级", "入住", "退房", "携程",
    // Well-known shops and brands that the dictionary splits.
    "京东", "当当", "天猫", "淘宝", "拼多多", "蒙牛", "伊利", "华为", "小米", "联想", "沙宣", "清扬",
    "潘婷", "海飞丝", "如家",
    // Evaluation.
    "给力", "忽悠", "坑人", "无语", "好用", "耐用", "质感", "到位", "够用", "超值"};

}  // namespace

const Lexicon& Lexicon::instance() {
  static const Lexicon lexicon;
  return lexicon;
}

Lexicon::Lexicon() : first_characters_(kFirstCharacterLimit, false) {
  for (const std::string_view word : kWords) {
    words_.insert(word);
    const auto first = static_cast<unsigned char>(word[0]);
    // Every entry is Han, so a UTF-8 lead byte and two continuation bytes (or three for planes 2 and 3).
    char32_t code_point = 0;
    if ((first & 0xF0) == 0xE0) {
      code_point = static_cast<char32_t>(((first & 0x0F) << 12) | ((static_cast<unsigned char>(word[1]) & 0x3F) << 6) |
                                         (static_cast<unsigned char>(word[2]) & 0x3F));
    }
    if (code_point < kFirstCharacterLimit) first_characters_[code_point] = true;
    std::size_t length = 0;
    for (unsigned char byte : word) {
      if ((byte & 0xC0) != 0x80) ++length;
    }
    max_length_ = std::max(max_length_, length);
  }
}

bool Lexicon::may_start_word(char32_t code_point) const {
  return code_point < kFirstCharacterLimit && first_characters_[code_point];
}

bool Lexicon::contains(std::string_view word) const { return words_.contains(word); }

}  // namespace shopsight::text_detail
