/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A program for ckpt_review_test (built with -nostdlib -static) that
 * unmaps itself: it copies a few instructions to an anonymous page, jumps
 * there, unmaps everything it was loaded from, writes one byte to its
 * stdout and pauses forever.  Its /proc/PID/exe stays, and no mapping of
 * that file is left.
 */
	.text
	.globl	_start
_start:
	/* mmap(NULL, 4096, RWX, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) */
	movl	$9, %eax
	xorl	%edi, %edi
	movl	$4096, %esi
	movl	$7, %edx
	movl	$0x22, %r10d
	movq	$-1, %r8
	xorl	%r9d, %r9d
	syscall
	movq	%rax, %rbx
	/* copy what follows there */
	movq	%rax, %rdi
	leaq	blob(%rip), %rsi
	movl	$(blob_end - blob), %ecx
	rep movsb
	/* and run it, to unmap [__executable_start, _end) page aligned */
	leaq	__executable_start(%rip), %rdi
	andq	$-4096, %rdi
	leaq	_end(%rip), %rsi
	addq	$4095, %rsi
	andq	$-4096, %rsi
	subq	%rdi, %rsi
	jmp	*%rbx

blob:
	/* munmap(%rdi, %rsi) */
	movl	$11, %eax
	syscall
	/* write(1, "x", 1) */
	movl	$1, %eax
	movl	$1, %edi
	leaq	byte(%rip), %rsi
	movl	$1, %edx
	syscall
	/* for (;;) pause(); */
1:	movl	$34, %eax
	syscall
	jmp	1b
byte:
	.byte	'x'
blob_end:
	.section .note.GNU-stack, "", @progbits
