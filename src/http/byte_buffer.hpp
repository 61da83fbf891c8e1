#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

namespace aegis::detail {

/// A growable byte buffer for output built in place: prepare() hands out room at the end without first
/// zeroing it (std::string::resize would), the writer fills what it needs and commit()s that much. The
/// capacity is kept across clear().
class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(ByteBuffer&& other) noexcept { swap(other); }
  ByteBuffer& operator=(ByteBuffer&& other) noexcept {
    ByteBuffer(std::move(other)).swap(*this);
    return *this;
  }

  /// Room for at least `n` more bytes at the end. Valid until the next call that grows the buffer.
  char* prepare(std::size_t n) {
    if (capacity_ - size_ < n) grow(n);
    return data_.get() + size_;
  }
  /// Counts `n` bytes written at prepare()'s pointer as part of the content.
  void commit(std::size_t n) noexcept { size_ += n; }

  void append(std::string_view bytes) {
    if (bytes.empty()) return;
    std::memcpy(prepare(bytes.size()), bytes.data(), bytes.size());
    size_ += bytes.size();
  }

  const char* data() const noexcept { return data_.get(); }
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  bool empty() const noexcept { return size_ == 0; }
  std::string_view view() const noexcept { return {data_.get(), size_}; }

  void clear() noexcept { size_ = 0; }
  /// Gives the memory back.
  void release() noexcept {
    data_.reset();
    size_ = capacity_ = 0;
  }
  void reserve(std::size_t n) {
    if (n > capacity_) grow(n - size_);
  }
  void swap(ByteBuffer& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

 private:
  void grow(std::size_t more) {
    const std::size_t want = std::max({capacity_ * 2, size_ + more, std::size_t{256}});
    auto bigger = std::make_unique_for_overwrite<char[]>(want);
    if (size_ != 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = want;
  }

  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace aegis::detail
