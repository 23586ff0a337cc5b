// The state of a RuoYi-style list page (rows, total, page, size, loading)
// and its loader; errors are shown as a message. When a search is started
// before an earlier one has answered, the earlier answer is dropped.
import { ref, type Ref } from 'vue'
import type { Page } from '@/api/http'
import { showError } from '@/utils/message'

export function usePaged<T, P extends Page<T> = Page<T>>(fetchPage: (page: number, size: number) => Promise<P>,
                                                         onLoad?: (r: P) => void) {
  const rows = ref([]) as Ref<T[]>
  const total = ref(0)
  const page = ref(1)
  const size = ref(20)
  const loading = ref(false)
  let latest = 0 // only the answer to the latest request is shown
  async function load(p = 1) {
    const mine = ++latest
    loading.value = true
    try {
      const r = await fetchPage(p, size.value)
      if (mine !== latest) return
      rows.value = r.items
      total.value = r.total
      page.value = r.page
      onLoad?.(r)
    } catch (e) {
      showError(e)
    } finally {
      if (mine === latest) loading.value = false
    }
  }
  /** For Pager's change event. */
  const change = (p: number, s: number) => {
    size.value = s
    return load(p)
  }
  return { rows, total, page, size, loading, load, change }
}
